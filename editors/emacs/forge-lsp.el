;;; forge-lsp.el --- forge lsp for Packer templates through eglot  -*- lexical-binding: t; -*-
;; (load "/path/to/forge/editors/emacs/forge-lsp.el")
(require 'eglot)

(define-derived-mode packer-mode prog-mode "Packer"
  "Packer templates (HCL2, HCL-JSON, legacy JSON, TOML), checked by forge lsp."
  (setq-local comment-start "# "))

(dolist (re '("\\.pkr\\.hcl\\'" "\\.pkrvars\\.hcl\\'" "\\.pkr\\.json\\'" "\\.pkrvars\\.json\\'"
              "\\.pkr\\.toml\\'" "\\.pkrvars\\.toml\\'"))
  (add-to-list 'auto-mode-alist (cons re 'packer-mode)))

(add-to-list 'eglot-server-programs '(packer-mode . ("forge" "lsp")))
(add-hook 'packer-mode-hook #'eglot-ensure)

(provide 'forge-lsp)
;;; forge-lsp.el ends here
